export { registerEmbeddings } from './embeddings-route.js';
