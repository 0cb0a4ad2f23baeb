export { startMockNim, type MockNimServer, type StartMockNimOptions } from './start-mock-nim.js';
