// Two-person approval in Slack (issue 19): asking, Approve / Deny and its reason, `/users approvals`, approved API keys. Import from here only.
export { askBulkApproval, askSingleApprovalIfNeeded, pendingNotice } from './ask';
export { createApprovedKeyButton, requestKeyApprovalButton } from './api-key';
export { approvalsCommand, approveButton, denyButton, denySubmit } from './decide';
export { sweepExpiredApprovals } from './sweep';
