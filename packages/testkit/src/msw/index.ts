export {
  createNimServer,
  NIM_HOSTED_ORIGIN,
  type CreateNimServerOptions,
  type NimMswServer,
} from './create-nim-server.js';
export { cancelUnreadClones } from './cancel-unread-clones.js';
