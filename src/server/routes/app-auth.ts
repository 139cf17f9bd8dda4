// /api/auth/* (sign-up, sign-in, sign-out, me) and /api/admin/users (roles).
// Passwords are hashed with argon2id (memory-hard); sessions live in an HTTP-only cookie and every
// cookie-authenticated write must echo the session's CSRF token (see auth.ts).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { ApiError, notFound, parse } from '../errors.ts';
import { SESSION_COOKIE } from '../auth.ts';
import { pageQuery } from './common.ts';

const credentials = z.strictObject({
  username: z.string().trim().min(2).max(64).regex(/^[\w.@+-]+$/, 'letters, digits and . _ @ + - only'),
  password: z.string().min(8, 'at least 8 characters').max(1024),
});
const roleBody = z.strictObject({ role: z.enum(['admin', 'trainer', 'user']) });

export function registerAppAuth(app: FastifyInstance, ctx: ServerContext): void {
  const argon2 = import('@node-rs/argon2');

  const startSession = async (reply: FastifyReply, userId: string) => {
    const s = await ctx.store.users.createSession(userId);
    reply.setCookie(SESSION_COOKIE, s.token, {
      path: '/', httpOnly: true, sameSite: 'lax', secure: ctx.config.cookieSecure, expires: new Date(s.expiresAt),
    });
    return s.csrfToken;
  };

  app.post('/api/auth/signup', async (req, reply) => {
    await ctx.limits.checkRateOf([`ip:${req.ip}`]);
    // The first account (the admin) can always be made, so closing sign-up never locks everyone out.
    if (!ctx.config.allowSignup && (await ctx.store.users.anyUser())) {
      throw new ApiError(403, 'sign-up is closed on this server (PARLEY_ALLOW_SIGNUP)', 'signup_closed');
    }
    const body = parse(credentials, req.body);
    const hash = await (await argon2).hash(body.password);
    const user = await ctx.store.users.create(body.username, hash);
    if (!user) throw new ApiError(409, `the name "${body.username}" is taken`, 'username_taken', 'username');
    const csrfToken = await startSession(reply, user.id);
    reply.status(201);
    return { user, csrfToken };
  });

  app.post('/api/auth/signin', async (req, reply) => {
    await ctx.limits.checkRateOf([`ip:${req.ip}`]); // slows password guessing
    const body = parse(credentials.extend({ password: z.string().min(1).max(1024) }), req.body);
    const found = await ctx.store.users.passwordHashOf(body.username);
    // Verify against a hash even for unknown names, so timing does not reveal which names exist.
    const ok = found
      ? await (await argon2).verify(found.hash, body.password)
      : (await (await argon2).verify(await dummyHash(argon2), body.password), false);
    if (!found || !ok) throw new ApiError(401, 'wrong username or password', 'bad_credentials');
    const csrfToken = await startSession(reply, found.user.id);
    return { user: found.user, csrfToken };
  });

  app.post('/api/auth/signout', async (req, reply) => {
    const caller = await ctx.auth.appOptional(req);
    const token = req.cookies[SESSION_COOKIE];
    if (caller && token) await ctx.store.users.deleteSession(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.get('/api/auth/me', async (req) => {
    const caller = await ctx.auth.app(req);
    return { user: caller.user, csrfToken: caller.csrfToken };
  });

  app.get('/api/admin/users', async (req) => {
    await ctx.auth.app(req, ['admin']);
    return ctx.store.users.list(pageQuery(req.query));
  });

  app.patch('/api/admin/users/:id', async (req) => {
    const caller = await ctx.auth.app(req, ['admin']);
    const { id } = req.params as { id: string };
    const { role } = parse(roleBody, req.body);
    if (id === caller.user.id && role !== 'admin') throw new ApiError(400, 'an admin cannot remove their own admin role', 'invalid_value', 'role');
    const user = await ctx.store.users.setRole(id, role);
    if (!user) throw notFound('user');
    return user;
  });
}

let dummy: Promise<string> | null = null;
function dummyHash(argon2: Promise<typeof import('@node-rs/argon2')>): Promise<string> {
  dummy ??= argon2.then((a) => a.hash('not a real password'));
  return dummy;
}
