// The bulk flow for reset, disable, enable and activate (command, form, type-ahead, preview, confirm). Import from here only what the registrars and other flows' entry points need.
export { bulkConfirm, bulkConfirmButton, requestApprovalButton } from './confirm';
export { bulkCommand, fillBulkForm } from './form';
export { bulkUserOptions } from './options';
export { bulkSubmit } from './submit';
export { bulkModal, bulkPreviewMessage, bulkPreviewModal } from './views';
