/**
 * What a commit can wake (rt.notify → rt.onNotify): the mail sender, the job runner, the audit
 * mirror, the owner-notice sender and the webhook sender. One list, used by every layer.
 */
export type NotifyTopic = 'mail' | 'jobs' | 'audit' | 'notices' | 'webhooks';
