/**
 * src/standin: the local Slack stand-in, its driver and Block Kit helpers (tests and `npm run demo`).
 * Import from this index only; the product (src/ but demo) never imports it.
 */
export * from './blocks';
export * from './driver';
export * from './web-api';
