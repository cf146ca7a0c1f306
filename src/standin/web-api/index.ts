/** The Slack Web API stand-in (see slack-standin.ts). Import from here or from src/standin. */
export * from './slack-standin';
