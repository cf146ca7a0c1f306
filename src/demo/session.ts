/**
 * What the pieces of the demo terminal share: its options, the session they act in (who you
 * are, how to print and ask), and a few small helpers. Its own module so that terminal.ts, which
 * wires the pieces, and the pieces (feed, controls, dialog, dialog-fields) never import each other
 * in a circle.
 */
import { isAbsolute, relative } from 'node:path';
import type { Runtime } from '../app/runtime';
import type { SlackDriver, SlackStandIn } from '../standin';
import type { LineSource } from './input';
import type { DemoIdentity } from './seed';

export interface DemoExtra {
  /** One line for `help`. */
  help: string;
  run(): Promise<string | void>;
}

export interface DemoTerminalOptions {
  rt: Runtime;
  standIn: SlackStandIn;
  driver: SlackDriver;
  identities: DemoIdentity[];
  input: LineSource;
  /** Where files the app uploads to Slack are saved. */
  filesDir: string;
  /** The slash command (`/users`). */
  commandName: string;
  color: boolean;
  /** In-process commands this build can offer (e.g. `digest`). */
  extras?: Record<string, DemoExtra>;
}

/** The terminal as its pieces see it. */
export interface DemoSession {
  readonly options: DemoTerminalOptions;
  /** Who is typing now (`as NAME` changes it). */
  readonly me: DemoIdentity;
  readonly stopped: boolean;
  print(text: string): void;
  /** A question in the middle of an action; throws {@link EndOfInput} when input ends. */
  ask(prompt: string): Promise<string>;
  /** Wait until the app has gone quiet, then print what it showed. */
  settle(): Promise<void>;
  /** The stand-in's name for a Slack user id (a property, so it can be passed on as it is). */
  readonly userName: (slackUserId: string) => string | undefined;
}

/** Thrown when input ends in the middle of a question: unwinds to the main loop, which exits. */
export class EndOfInput extends Error {}

/** What a dialog says while the app is still working out what to show in it. */
export const LOADING = /Working…/;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A path as short as it can be said: relative to the working directory when inside it. */
export function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? p : rel;
}
