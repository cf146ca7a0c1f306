/**
 * The Slack driver (see slack-driver.ts). Import from here or from src/standin: SlackDriver, its
 * options and response types, Surface and isView are public; transport.ts, payloads.ts and the
 * other helpers of surface.ts are its internals.
 */
export { SlackDriver, type CommandResponse, type SlackDriverOptions, type SubmitResponse } from './slack-driver';
export { isView, type Surface } from './surface';
export type { DriverResponse } from './transport';
