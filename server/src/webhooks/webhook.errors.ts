export enum WebhookErrorCode {
  InvalidEndpoint = 'INVALID_WEBHOOK_ENDPOINT',
  EndpointNotFound = 'WEBHOOK_ENDPOINT_NOT_FOUND',
  EndpointInactive = 'WEBHOOK_ENDPOINT_INACTIVE',
  DeliveryNotFound = 'WEBHOOK_DELIVERY_NOT_FOUND',
  InvalidRotation = 'INVALID_WEBHOOK_SECRET_ROTATION',
  InvalidCursor = 'INVALID_CURSOR',
}
