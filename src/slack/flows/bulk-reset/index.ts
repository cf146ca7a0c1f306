// The bulk password reset flow (command, form, type-ahead, preview, confirm). Import from here only what the registrars and other flows' entry points need.
export { bulkResetConfirm } from './confirm';
export { bulkResetCommand, fillBulkResetForm } from './form';
export { bulkUserOptions } from './options';
export { bulkResetSubmit } from './submit';
export { bulkPreviewModal, bulkResetModal } from './views';
