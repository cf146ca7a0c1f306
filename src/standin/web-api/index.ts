/**
 * The Slack Web API stand-in (see slack-standin.ts). Import from here or from src/standin:
 * SlackStandIn, its state types and parseMultipart are public; the family modules (chat, views,
 * files, users, response-urls), the server and the stores are its internals.
 */
export { SlackStandIn } from './slack-standin';
export { parseMultipart } from './http';
export type {
  FailureSpec,
  MessageFilter,
  MessageSource,
  RecordedCall,
  StandInChannel,
  StandInMessage,
  StandInOptions,
  StandInUser,
  StandInView,
  StandInViewVersion,
  UploadedFile,
} from './types';
