export { createDispatcher, type DispatcherSettings } from './create-dispatcher.js';
export { joinUrl } from './join-url.js';
