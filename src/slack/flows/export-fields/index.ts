// The export-fields flow (`/users export fields` and its modal). Import from here only.
export { exportFieldsCommand } from './command';
export { exportFieldsSubmit, readExportFieldChoices } from './submit';
export { exportFieldsBlockId, exportFieldsModal, exportFieldsSavedText } from './views';
