import { availableActions, type UserAction } from '../domain/actions';
import { PERMISSIONS, parseRoles, type Permission, type Role, type RolesByOrg } from '../domain/permissions';
import type { AuthStatus } from '../domain/status';
import type { User } from '../store/models';
import { decide, type Access } from './authz';

/** Plain data about users, as services hand them to views and APIs. Never carries a hash, token or key. */
export interface UserSummary {
  id: number;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  enabled: boolean;
  authStatus: AuthStatus;
  failedLoginCount: number;
  lockedAt: Date | null;
  /** When a temporary lock ends by itself; null for a permanent lock or none. */
  lockedUntil: Date | null;
  lastLoginAt: Date | null;
  /** What the asking actor may do to this user right now. */
  actions: UserAction[];
}

export interface OrganizationRoles {
  id: number;
  slug: string;
  name: string;
  roles: Role[];
  /** The asking actor administers this organization and may change these roles (never their own). */
  manageable: boolean;
}

export interface UserDetail extends UserSummary {
  phone: string | null;
  title: string | null;
  createdAt: Date;
  updatedAt: Date;
  passwordChangedAt: Date | null;
  hasPassword: boolean;
  organizations: OrganizationRoles[];
  /** Some of `organizations` are `manageable`: the card offers "Roles…". */
  canManageRoles: boolean;
  recordsAssigned: number;
  apiKeys: Array<{ organizationSlug: string; displayPrefix: string; createdAt: Date; lastUsedAt: Date | null }>;
}

export function displayName(u: Pick<User, 'firstName' | 'lastName' | 'username'>): string {
  const full = `${u.firstName ?? ''} ${u.lastName ?? ''}`.trim();
  return full.length > 0 ? full : u.username;
}

/** Permissions the actor may use on the account of a user with these memberships (the services' own rule, `decide`). */
export function permissionsFor(access: Access, targetRoles: RolesByOrg): Set<Permission> {
  return new Set(PERMISSIONS.filter((p) => decide(access, targetRoles, p).allowed));
}

export function toSummary(u: User, access: Access, targetRoles: RolesByOrg): UserSummary {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    enabled: u.enabled,
    authStatus: u.authStatus,
    failedLoginCount: u.failedLoginCount,
    lockedAt: u.lockedAt,
    lockedUntil: u.lockedUntil,
    lastLoginAt: u.lastLoginAt,
    actions: availableActions(u, permissionsFor(access, targetRoles), access.userId === u.id),
  };
}

export function rolesOf(text: string): Role[] {
  return parseRoles(text).roles;
}

/** May the actor change this user's roles in `orgId` (an administrator there, not about themselves)? */
export function managesRolesIn(access: Access, orgId: number, targetId: number): boolean {
  if (access.userId === targetId) return false;
  return access.system || (access.roles.get(orgId) ?? []).includes('administrator');
}
