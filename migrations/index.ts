import type { QueryInterface } from 'sequelize';
import * as m0001 from './0001-initial';
import * as m0002 from './0002-mail-notify';
import * as m0003 from './0003-users-search-index';
import * as m0004 from './0004-lockout-digest-marks';
import * as m0005 from './0005-sign-in-notice';
import * as m0006 from './0006-reset-token-purpose';
import * as m0007 from './0007-temporary-lockout';
import * as m0008 from './0008-owner-notices';
import * as m0009 from './0009-webhooks';
import * as m0010 from './0010-scim';
import * as m0011 from './0011-approval-requests';
import * as m0012 from './0012-invitations';
import * as m0013 from './0013-users-trigram-search';
import * as m0014 from './0014-locked-users-index';

export interface Migration {
  name: string;
  up(params: { context: QueryInterface }): Promise<void>;
  down(params: { context: QueryInterface }): Promise<void>;
}

/** In order. Listed explicitly so the same list works from TypeScript (tests) and compiled JS (dist). */
export const MIGRATIONS: Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009, m0010, m0011, m0012, m0013, m0014];
