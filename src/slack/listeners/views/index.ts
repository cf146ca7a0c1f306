// The view_submission registrar (modals). Import only registerViews from here.
import type { App } from '@slack/bolt';
import { CALLBACK } from '../../constants';
import { denySubmit } from '../../flows/approvals';
import { bulkConfirm, bulkSubmit } from '../../flows/bulk';
import { changePasswordSubmit } from '../../flows/change-password';
import { exportFieldsSubmit } from '../../flows/export-fields';
import { rolesSubmit } from '../../flows/roles';
import { inviteSubmit } from '../../flows/invite';
import type { SlackDeps } from '../../kit';
import { findSubmit } from './find-submit';

export function registerViews(app: App, deps: SlackDeps): void {
  const on = (callbackId: string) => ({ type: 'view_submission' as const, callback_id: callbackId });
  app.view(on(CALLBACK.changePassword), changePasswordSubmit(deps));
  app.view(on(CALLBACK.bulkForm), bulkSubmit(deps));
  app.view(on(CALLBACK.bulkConfirm), bulkConfirm(deps));
  app.view(on(CALLBACK.exportFields), exportFieldsSubmit(deps));
  app.view(on(CALLBACK.findModal), findSubmit(deps));
  app.view(on(CALLBACK.denyReason), denySubmit(deps));
  app.view(on(CALLBACK.rolesForm), rolesSubmit(deps));
  app.view(on(CALLBACK.inviteForm), inviteSubmit(deps));
}
