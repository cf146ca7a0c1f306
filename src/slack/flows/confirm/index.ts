// Confirmations: asking before a delete or a password reset, and the buttons that answer (confirm, cancel, undo). Import from here only.
export { deleteConfirmation, resetConfirmation } from './ask';
export { cancelButton } from './cancel';
export { confirmDelete } from './confirm-delete';
export { confirmResetMany } from './confirm-reset-many';
export { undoButton } from './undo';
