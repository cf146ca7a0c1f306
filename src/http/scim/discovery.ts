import type { Request, Response } from 'express';
import { SCIM_GROUP_SCHEMA, SCIM_USER_SCHEMA } from '../../domain/scim';
import { FILTERABLE } from '../../domain/scim-filter';
import type { Ctx } from '../../services/context';
import { MAX_COUNT, scimBaseUrl } from '../../services/scim-users';
import { sendList, sendScim, sendScimError } from './respond';

const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RT_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** What the service provider supports, truthfully (RFC 7643 §5): patch and filter yes; bulk, changePassword, sort, etag no. */
function serviceProviderConfig(base: string) {
  return {
    schemas: [SPC_SCHEMA],
    documentationUri: 'https://github.com/userops/userops/blob/main/docs/scim.md',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_COUNT },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: `A SCIM token of one organization (uoscim_…), made with “userops scim token create” or “/users scim”. Filterable: ${FILTERABLE}.`,
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

function resourceTypes(base: string) {
  return [
    {
      schemas: [RT_SCHEMA],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      schema: SCIM_USER_SCHEMA,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [RT_SCHEMA],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      schema: SCIM_GROUP_SCHEMA,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

type Attr = Record<string, unknown>;
const attr = (name: string, more: Attr = {}): Attr => ({
  name,
  type: 'string',
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...more,
});

function schemas(base: string) {
  const user = {
    schemas: [SCHEMA_SCHEMA],
    id: SCIM_USER_SCHEMA,
    name: 'User',
    description: 'A member of the token’s organization.',
    attributes: [
      attr('userName', { required: true, uniqueness: 'server' }),
      attr('externalId', { caseExact: true, description: 'Kept per organization (the identity provider’s id).' }),
      attr('name', {
        type: 'complex',
        subAttributes: [attr('givenName'), attr('familyName'), attr('formatted', { mutability: 'readOnly' })],
      }),
      attr('displayName', { mutability: 'readOnly' }),
      attr('emails', {
        type: 'complex',
        multiValued: true,
        required: true,
        subAttributes: [attr('value'), attr('type'), attr('primary', { type: 'boolean' })],
      }),
      attr('phoneNumbers', {
        type: 'complex',
        multiValued: true,
        subAttributes: [attr('value'), attr('type'), attr('primary', { type: 'boolean' })],
      }),
      attr('title'),
      attr('active', { type: 'boolean' }),
      attr('password', {
        mutability: 'writeOnly',
        returned: 'never',
        description: 'On create only; without one the person gets a set-password link.',
      }),
    ],
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${SCIM_USER_SCHEMA}` },
  };
  const group = {
    schemas: [SCHEMA_SCHEMA],
    id: SCIM_GROUP_SCHEMA,
    name: 'Group',
    description: 'One role of the organization; members hold that role.',
    attributes: [
      attr('displayName', { mutability: 'readOnly', required: true }),
      attr('members', {
        type: 'complex',
        multiValued: true,
        subAttributes: [
          attr('value', { mutability: 'immutable' }),
          attr('display', { mutability: 'readOnly' }),
          attr('$ref', { type: 'reference', mutability: 'immutable' }),
        ],
      }),
    ],
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${SCIM_GROUP_SCHEMA}` },
  };
  return [user, group];
}

export function serviceProviderConfigRoute(ctx: Ctx) {
  return async (_req: Request, res: Response): Promise<void> => sendScim(res, 200, serviceProviderConfig(scimBaseUrl(ctx)));
}

export function resourceTypesRoute(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const all = resourceTypes(scimBaseUrl(ctx));
    if (req.params.id === undefined) return sendList(res, { total: all.length, startIndex: 1, resources: all }, {});
    const one = all.find((r) => r.id === req.params.id);
    if (!one) return sendScimError(res, 404, `Resource type ${String(req.params.id).slice(0, 40)} not found; there are User and Group.`);
    sendScim(res, 200, one);
  };
}

export function schemasRoute(ctx: Ctx) {
  return async (req: Request, res: Response): Promise<void> => {
    const all = schemas(scimBaseUrl(ctx));
    if (req.params.id === undefined) return sendList(res, { total: all.length, startIndex: 1, resources: all }, {});
    const one = all.find((s) => s.id === req.params.id);
    if (!one) return sendScimError(res, 404, `Schema ${String(req.params.id).slice(0, 80)} not found.`);
    sendScim(res, 200, one);
  };
}
