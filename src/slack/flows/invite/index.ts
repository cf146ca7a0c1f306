// The invitation flow (command, form, submit). Import from here only.
export { inviteCommand, isInviteManagement } from './command';
export { inviteSubmit } from './submit';
export { inviteModal } from './views';
