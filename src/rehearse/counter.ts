/** The counter service's name and handlers, shared by the service and the rehearsal that calls it. */
export const COUNTER_SERVICE = 'Counter';
export const COUNTER_ADD = 'add';
export const COUNTER_GET = 'get';
