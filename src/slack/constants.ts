/**
 * Every action_id, block_id prefix and callback_id the Slack surface uses. Handlers and views both
 * import from here, so a button and its handler can never disagree on a string.
 */
export const ACTION = {
  /** Buttons on a user card: `user_action:<action>`; value is the user id. */
  userActionPrefix: 'user_action:',
  /** Overflow menu on a list row; option value `<action>:<userId>`. */
  rowMenu: 'row_menu',
  /** Previous / Next page; value is the encoded list state. */
  pagePrev: 'page_prev',
  pageNext: 'page_next',
  /** Saved-view picker above a list. */
  viewPicker: 'view_picker',
  /** Confirmation messages. */
  confirmDelete: 'confirm_delete',
  confirmResetMany: 'confirm_reset_many',
  cancel: 'cancel',
  /** Undo a disable/enable from the result line. */
  undo: 'undo',
  /** Audit log pagination. */
  auditMore: 'audit_more',
  /** Change-password modal. */
  suggestPassword: 'suggest_password',
  /** The bulk modal (flows/bulk). */
  bulkUserPicker: 'bulk_user_picker',
  bulkPreview: 'bulk_preview',
  /** Confirm on the preview a typed `/users disable NAME… --reason …` answers with; value is the job id. */
  confirmBulk: 'confirm_bulk',
  /** Request approval on a typed command's preview (issue 19); value is the job id. */
  requestApproval: 'request_approval',
  /** Approve / Deny on an approval request; value is the request id. */
  approve: 'approval_approve',
  deny: 'approval_deny',
  /** App Home. */
  homeActivate: 'home_activate',
  homeOpenBulk: 'home_open_bulk',
  homeExport: 'home_export',
  homeFind: 'home_find',
  /** Lockout digest. */
  digestActivate: 'digest_activate',
  digestReset: 'digest_reset',
  digestSpikeBulk: 'digest_spike_bulk',
  /** API key organization picker; option value `<generate|revoke>:<userId>:<organizationId>`. */
  apiKeyOrg: 'api_key_org',
  /** "Hide key" on the message that shows a new API key once. */
  apiKeyHide: 'api_key_hide',
  /** "Request approval" for an API key that needs a second person (issue 19); value `<userId>:<organizationId>`. */
  apiKeyRequestApproval: 'api_key_request_approval',
  /** "Create the key now" in the requester's DM once an API key request is approved; value is the request id. */
  apiKeyCreateApproved: 'api_key_create_approved',
  /** "Roles…" on a user card; value is the user id. */
  rolesOpen: 'roles_open',
  /** An access review's section button: the bulk form preselected; value `{"a":action,"s":section,"o":org slug}`. */
  reviewBulk: 'access_review_bulk',
} as const;

export const BLOCK = {
  rowPrefix: 'row:',
  listState: 'list_state',
  password: 'password',
  reason: 'reason',
  /** The bulk modal's action select (reset_password, disable, enable, activate). */
  bulkAction: 'bulk_action',
  pasted: 'pasted',
  picked: 'picked',
  scopeView: 'scope_view',
  scopeOrg: 'scope_org',
  exportFields: 'export_fields',
  findQuery: 'find_query',
  /** Lockout digest rows: `digest_row:<userId>` (the text) and `digest_act:<userId>` (its buttons). */
  digestRow: 'digest_row:',
  digestActions: 'digest_act:',
  /** App Home lockout rows: `home_lockout:<userId>`. */
  homeLockout: 'home_lockout:',
  /** The Roles modal: one checkboxes input per organization, `roles_org:<slug>`. */
  rolesOrg: 'roles_org:',
  /** The invitation modal. */
  inviteEmail: 'invite_email',
  inviteFirstName: 'invite_first_name',
  inviteLastName: 'invite_last_name',
  inviteOrg: 'invite_org',
  inviteRole: 'invite_role',
} as const;

export const CALLBACK = {
  changePassword: 'change_password',
  // The wire values predate the action select: a form left open across a deploy still submits.
  bulkForm: 'bulk_reset',
  bulkConfirm: 'bulk_reset_confirm',
  exportFields: 'export_fields',
  findModal: 'find_modal',
  /** The reason a Deny asks for; private_metadata is the request id. */
  denyReason: 'approval_deny_reason',
  rolesForm: 'roles_form',
  inviteForm: 'invite_form',
} as const;

/** Overflow menus take at most 5 options; list rows show these, in this order of priority. */
export const ROW_MENU_ACTIONS = ['show', 'enable', 'disable', 'activate', 'reset_password', 'delete'] as const;
