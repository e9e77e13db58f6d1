import { DELIVERY_ID_KEY, DELIVERY_TOKEN_KEY, type PushRequest } from './provider-types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** FCM `data` accepts string values only ("Firebase only supports string values"). */
function stringValues(o: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/**
 * The FCM HTTP v1 `message`. Android reads `notification` plus `data` (where the delivery keys,
 * `link` and `image` go, for Customer.io's Android SDK); iOS-through-FCM gets an `apns` block with
 * the same `CIO` keys the iOS SDK reads. `custom_payload` for the device's platform overrides all
 * of it; the token and the delivery keys are always ours.
 */
export function buildFcmMessage(req: PushRequest): Obj {
  const delivery = { [DELIVERY_ID_KEY]: req.deliveryId, [DELIVERY_TOKEN_KEY]: req.token };
  const ios = req.platform === 'ios';
  const custom = ios ? req.customPayload?.ios : req.customPayload?.android;
  if (isObj(custom)) {
    if (isObj(custom.message)) {
      const m = { ...custom.message };
      m.data = stringValues({ ...(isObj(m.data) ? m.data : {}), ...delivery });
      if (ios && isObj(m.apns)) {
        const apns = m.apns;
        m.apns = { ...apns, payload: { ...(isObj(apns.payload) ? apns.payload : {}), ...delivery } };
      }
      return { ...m, token: req.token };
    }
    // A raw APNs payload (`{aps, CIO}`) for an iOS device reached through FCM.
    return { token: req.token, data: stringValues(delivery), apns: { payload: { ...custom, ...delivery } } };
  }
  const c = req.content;
  const notification: Obj = { title: c.title, body: c.body };
  if (c.imageUrl) notification.image = c.imageUrl;
  const extra: Obj = {};
  if (c.link) extra.link = c.link;
  if (c.imageUrl) extra.image = c.imageUrl;
  const message: Obj = {
    token: req.token,
    notification,
    data: stringValues({ ...c.customData, ...extra, ...delivery }),
  };
  if (ios) {
    const aps: Obj = { 'mutable-content': 1 };
    if (c.sound !== 'none') aps.sound = c.sound || 'default';
    // Collapse keys make a push resent after a crash (same delivery id) replace the first on the
    // device instead of showing twice.
    message.apns = {
      headers: { 'apns-collapse-id': req.deliveryId.slice(0, 64) },
      payload: { aps, CIO: { push: extra }, ...delivery },
    };
  } else {
    message.android = { priority: 'high', collapse_key: req.deliveryId };
  }
  return message;
}
