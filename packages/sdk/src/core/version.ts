/** The SDK version: sent as `cio_sdk_version` and in the User-Agent (kept in sync with package.json). */
export const SDK_VERSION = '0.1.0';
