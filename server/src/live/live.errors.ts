export enum LiveErrorCode {
  TooManySubscriptions = 'TOO_MANY_SUBSCRIPTIONS',
  NotOverWebSocket = 'SUBSCRIPTION_NEEDS_WEBSOCKET',
  InvalidTicket = 'INVALID_LIVE_TICKET',
  InvalidFilter = 'INVALID_LEAD_FILTER',
}
