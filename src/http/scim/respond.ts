import type { Response } from 'express';
import type { Failure } from '../../domain/outcome';
import { SCIM_ERROR_SCHEMA, SCIM_LIST_SCHEMA, projectResource, type ScimType } from '../../domain/scim';
import { STATUS_FOR } from '../errors';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** A SCIM error body (RFC 7644 §3.12): `status` as a string, `scimType` when one applies, `detail` a sentence. */
export function sendScimError(res: Response, status: number, detail: string, scimType?: ScimType): void {
  res
    .status(status)
    .type(SCIM_CONTENT_TYPE)
    .send(JSON.stringify({ schemas: [SCIM_ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail }));
}

/** A service refusal: its code's HTTP status, and the SCIM type it carries. */
export function sendScimFailure(res: Response, failure: Failure & { scimType?: ScimType }): void {
  sendScimError(res, STATUS_FOR[failure.code], failure.message, failure.scimType);
}

export function sendScim(res: Response, status: number, body: unknown, location?: string): void {
  if (location) res.setHeader('Location', location);
  res.status(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

export interface Projection {
  attributes?: string;
  excludedAttributes?: string;
}

export function projection(query: Record<string, unknown>): Projection {
  const one = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { attributes: one(query.attributes), excludedAttributes: one(query.excludedAttributes) };
}

export function sendList<T extends object>(
  res: Response,
  page: { total: number; startIndex: number; resources: T[] },
  p: Projection,
): void {
  sendScim(res, 200, {
    schemas: [SCIM_LIST_SCHEMA],
    totalResults: page.total,
    startIndex: page.startIndex,
    itemsPerPage: page.resources.length,
    Resources: page.resources.map((r) => projectResource(r, p)),
  });
}
