export {
  startRecordingUpstream,
  type UpstreamRequest,
  type RecordingHandler,
  type RecordingUpstream,
  type RecordingUpstreamOptions,
} from './start-recording-upstream.js';
export { sendJson, sendSse } from './respond.js';
