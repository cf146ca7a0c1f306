// The "Roles…" flow (card button, modal, submit). Import from here only.
export { rolesButton } from './form';
export { rolesSubmit } from './submit';
export { rolesModal } from './views';
