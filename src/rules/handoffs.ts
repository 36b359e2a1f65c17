/**
 * The values that cross from a rule of one section to a rule of another, each declared once with its
 * producer and type (engine/shared.ts). A reader names the producer in its `after`.
 */
import { sharedKey } from '../engine/shared.js';

/**
 * The Set-Cookie lines the app sent when the smoke account signed in (values masked): security.cookies
 * judges their attributes, the session cookie among them, which no unauthenticated request receives.
 */
export const SIGN_IN_COOKIES = sharedKey<readonly string[]>('smoke.login-flow', 'the Set-Cookie lines of the sign-in');
