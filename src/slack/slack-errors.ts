/**
 * What a failed Slack Web API call did, as a clause a person can read ("Slack answered HTTP 500
 * after several attempts"), without a stack trace or a token. Null when `e` is not a Web API
 * failure (a bug or a database outage, which get the generic message with a reference).
 */
export function slackFailureReason(e: unknown, subject = 'userops'): string | null {
  const err = e as { code?: string; data?: { error?: string }; statusCode?: number; message?: string; original?: { message?: string } };
  // After its retries the WebClient reports a rate limit as a request error around "A rate limit was exceeded".
  if (/rate limit/i.test(`${err?.message ?? ''} ${err?.original?.message ?? ''}`) || err?.code === 'slack_webapi_rate_limited_error')
    return `Slack kept rate-limiting ${subject}`;
  switch (err?.code) {
    case 'slack_webapi_platform_error':
      return `Slack answered “${err.data?.error ?? 'error'}”`;
    case 'slack_webapi_http_error':
      return `Slack answered HTTP ${err.statusCode ?? '?'} after several attempts`;
    case 'slack_webapi_request_error':
      return 'Slack could not be reached';
  }
  return null;
}
