/** Local Slack stand-in, its driver and Block Kit helpers (tests and `npm run demo`). */
export * from './blocks';
export * from './driver';
export * from './web-api';
