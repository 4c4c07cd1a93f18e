export enum WebhookErrorCode {
  InvalidEndpoint = 'INVALID_WEBHOOK_ENDPOINT',
  EndpointNotFound = 'WEBHOOK_ENDPOINT_NOT_FOUND',
}
