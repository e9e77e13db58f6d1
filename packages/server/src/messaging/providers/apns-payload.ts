import { DELIVERY_ID_KEY, DELIVERY_TOKEN_KEY, type PushRequest } from './provider-types.js';

export interface ApnsPayload {
  payload: Record<string, unknown>;
  /** Extra `apns-*` headers from an FCM-style `custom_payload.ios`. */
  headers: Record<string, string>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The APNs JSON body. Customer.io's iOS SDK reads `CIO.push.{link,image}` and the top-level
 * `CIO-Delivery-ID` / `CIO-Delivery-Token`; `mutable-content` lets its notification service
 * extension download the image. `custom_payload.ios` replaces everything but the delivery keys,
 * in either of its two documented shapes (FCM-style `message.apns` or raw APNs).
 */
export function buildApnsPayload(req: PushRequest): ApnsPayload {
  const custom = req.customPayload?.ios;
  const delivery = { [DELIVERY_ID_KEY]: req.deliveryId, [DELIVERY_TOKEN_KEY]: req.token };
  if (isObj(custom)) {
    const message = isObj(custom.message) ? custom.message : undefined;
    const apns = message && isObj(message.apns) ? message.apns : undefined;
    if (apns) {
      const headers: Record<string, string> = {};
      if (isObj(apns.headers))
        for (const [k, v] of Object.entries(apns.headers)) headers[k.toLowerCase()] = String(v);
      return { payload: { ...(isObj(apns.payload) ? apns.payload : {}), ...delivery }, headers };
    }
    return { payload: { ...custom, ...delivery }, headers: {} };
  }
  const c = req.content;
  const aps: Obj = { alert: { title: c.title, body: c.body }, 'mutable-content': 1 };
  if (c.sound !== 'none') aps.sound = c.sound || 'default';
  const push: Obj = {};
  if (c.link) push.link = c.link;
  if (c.imageUrl) push.image = c.imageUrl;
  return { payload: { ...c.customData, aps, CIO: { push }, ...delivery }, headers: {} };
}
