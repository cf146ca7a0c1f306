import type { Job } from '../store/models';

/**
 * How a job tells its requester what is happening. The Slack adapter implements it (a message in
 * the requester's DM, updated in place); jobs never import Slack.
 */
export interface JobNotifier {
  progress(job: Job, text: string, fraction: number): Promise<void>;
  finished(job: Job, summary: { title: string; lines: string[]; ok: boolean }): Promise<void>;
}

export const silentNotifier: JobNotifier = {
  progress: async () => undefined,
  finished: async () => undefined,
};
