/** The Slack driver (see slack-driver.ts). Import from here or from src/standin. */
export * from './slack-driver';
