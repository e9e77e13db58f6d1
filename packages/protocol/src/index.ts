export {};
export * from './app-api.js';
export * from './track-v1.js';
export * from './track-v2.js';
export * from './routes.js';
export * from './objects.js';
export * from './pipelines.js';
export * from './webhooks.js';
