// The change-password flow (command, card button, suggestion, submit). Import from here only.
export { changePasswordButton, changePasswordCommand } from './form';
export { suggestPasswordButton } from './suggest';
export { changePasswordSubmit } from './submit';
export { changePasswordModal } from './views';
