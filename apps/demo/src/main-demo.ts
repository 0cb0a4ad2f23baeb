import { runDemo } from './demo.js';

const demo = await runDemo();
let stopping = false;
const stop = () => {
  if (stopping) process.exit(1);
  stopping = true;
  demo.close().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
