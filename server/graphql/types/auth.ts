import { randomBytes } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { z } from 'zod';
import { hashPassword, verifyPassword } from '../../auth/passwords.js';
import { recordFailedSignIn } from '../../auth/sign-in-audit.js';
import { builder } from '../builder.js';
import { badInput, notFound, uniqueViolation } from '../errors.js';
import { paging, validate } from '../validate.js';
import { passwordLoginOff } from './sso.js';
import type { GraphqlDeps } from '../deps.js';

export const RoleEnum = builder.enumType('Role', { values: ['admin', 'team_admin', 'viewer'] as const });

builder.prismaObject('User', {
  fields: (t) => ({
    id: t.exposeID('id'),
    email: t.exposeString('email'),
    role: t.field({ type: RoleEnum, resolve: (u) => u.role as 'admin' | 'team_admin' | 'viewer' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastLoginAt: t.expose('lastLoginAt', { type: 'DateTime', nullable: true }),
    language: t.exposeString('language', { nullable: true, description: 'The admin UI language the user chose (en | zh-CN); null: the browser decides.' }),
  }),
});

/** The admin UI's languages (client/src/lib/i18n). */
const UI_LANGUAGES = ['en', 'zh-CN'] as const;

const LoginPayload = builder.simpleObject('LoginPayload', {
  fields: (t) => ({ token: t.string(), expiresIn: t.string() }),
});

builder.mutationField('login', (t) =>
  t.field({
    type: LoginPayload,
    // Public: skip the Mutation type's admin scope. (An empty `authScopes: {}`
    // map would deny everyone, because no scope in it can pass.)
    skipTypeScopes: true,
    args: { email: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: async (_root, { email, password }, ctx) => {
      const { db, loginLimiter, tokens, config } = ctx.services;
      if (passwordLoginOff(ctx.services.settings.read().sso)) {
        throw new GraphQLError('Password sign-in is turned off: sign in with SSO', { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
      }
      const wait = await loginLimiter.blockedFor(ctx.clientIp, email);
      if (wait > 0) {
        throw new GraphQLError(`Too many login attempts; try again in ${wait} s`, {
          extensions: { code: 'RATE_LIMITED', retryAfter: wait, http: { status: 429 } },
        });
      }
      const user = await db.user.findUnique({ where: { email: email.toLowerCase() } });
      const ok = user ? await verifyPassword(user.passwordHash, password) : (await verifyPassword(await DUMMY(), password)) && false;
      if (!user || !ok) {
        await loginLimiter.recordFailure(ctx.clientIp, email);
        await recordFailedSignIn(ctx.services.audit, {
          method: 'password',
          reason: user ? 'wrong_password' : 'unknown_user',
          email,
          userId: user?.id,
          ip: ctx.clientIp,
          userAgent: ctx.userAgent,
        });
        throw new GraphQLError('Invalid email or password', { extensions: { code: 'UNAUTHENTICATED' } });
      }
      await loginLimiter.recordSuccess(ctx.clientIp, email);
      await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
      ctx.services.audit.describe({
        actor: { type: 'user', userId: user.id, email: user.email, ip: ctx.clientIp || undefined, userAgent: ctx.userAgent },
        entity: 'session',
        entityId: user.id,
        entityName: user.email,
        action: 'login',
        after: { method: 'password' },
      });
      const token = await tokens.sign({ userId: user.id, email: user.email, role: user.role as 'admin' | 'viewer', tokenVersion: user.tokenVersion });
      return { token, expiresIn: config.jwtExpiresIn };
    },
  }),
);

// Verifying unknown emails against a throwaway hash keeps response times alike.
let dummyHash: Promise<string> | undefined;
const DUMMY = () => (dummyHash ??= hashPassword(randomBytes(16).toString('hex')));

/** Ends every session of a user: tokens issued before stop working, open sockets close. */
async function revokeSessions(ctx: { services: Pick<GraphqlDeps, 'events'> }, userId: string): Promise<void> {
  ctx.services.events.publish('sessionsRevoked', { userId });
}

builder.mutationField('logout', (t) =>
  t.boolean({
    description: 'Revokes every token of the calling user (all devices); the client drops its own copy.',
    skipTypeScopes: true,
    authScopes: { loggedIn: true },
    resolve: async (_root, _args, ctx) => {
      await ctx.services.db.user.update({ where: { id: ctx.user!.userId }, data: { tokenVersion: { increment: 1 } } });
      await revokeSessions(ctx, ctx.user!.userId);
      ctx.services.audit.describe({ entity: 'session', entityId: ctx.user!.userId, entityName: ctx.user!.email, action: 'logout' });
      return true;
    },
  }),
);

builder.mutationField('changePassword', (t) =>
  t.field({
    type: LoginPayload,
    description: "Changes the caller's own password. Every earlier token of the user (all devices) stops working; use the returned one instead.",
    skipTypeScopes: true,
    authScopes: { loggedIn: true },
    args: { currentPassword: t.arg.string({ required: true }), newPassword: t.arg.string({ required: true }) },
    resolve: async (_root, { currentPassword, newPassword }, ctx) => {
      const { db, loginLimiter, tokens, config } = ctx.services;
      const { password } = validate(userInput.pick({ password: true }), { password: newPassword });
      const user = await db.user.findUnique({ where: { id: ctx.user!.userId } });
      if (!user) throw notFound('User');
      // The current password is guessed under the login throttle, so a stolen token cannot brute-force it.
      const wait = await loginLimiter.blockedFor(ctx.clientIp, user.email);
      if (wait > 0) {
        throw new GraphQLError(`Too many attempts; try again in ${wait} s`, { extensions: { code: 'RATE_LIMITED', retryAfter: wait, http: { status: 429 } } });
      }
      if (!(await verifyPassword(user.passwordHash, currentPassword))) {
        await loginLimiter.recordFailure(ctx.clientIp, user.email);
        throw badInput('currentPassword: is not the current password', 'currentPassword');
      }
      const updated = await db.user.update({
        where: { id: user.id },
        data: { passwordHash: await hashPassword(password), tokenVersion: { increment: 1 } },
      });
      await revokeSessions(ctx, user.id);
      ctx.services.audit.describe({ entity: 'user', entityId: user.id, entityName: user.email, action: 'changePassword', before: user, after: updated });
      const token = await tokens.sign({ userId: user.id, email: user.email, role: user.role as 'admin' | 'viewer', tokenVersion: updated.tokenVersion });
      return { token, expiresIn: config.jwtExpiresIn };
    },
  }),
);

builder.queryField('me', (t) =>
  t.prismaField({
    type: 'User',
    // Every signed-in user, team members included.
    skipTypeScopes: true,
    authScopes: { loggedIn: true },
    resolve: async (query, _root, _args, ctx) => {
      const user = await ctx.services.db.user.findUnique({ ...query, where: { id: ctx.user!.userId } });
      if (!user) throw notFound('User');
      return user;
    },
  }),
);

builder.mutationField('setMyLanguage', (t) =>
  t.prismaField({
    type: 'User',
    description: "Keeps the signed-in user's admin UI language, so it follows them to every browser; null returns the choice to the browser.",
    // A personal preference: every signed-in user, team members and viewers included.
    skipTypeScopes: true,
    authScopes: { loggedIn: true },
    args: { language: t.arg.string({ required: false }) },
    resolve: async (query, _root, { language }, ctx) => {
      const chosen = validate(z.object({ language: z.enum(UI_LANGUAGES).nullable() }), { language: language ?? null });
      return ctx.services.db.user.update({ ...query, where: { id: ctx.user!.userId }, data: chosen });
    },
  }),
);

builder.queryField('users', (t) =>
  t.prismaField({
    type: ['User'],
    authScopes: { admin: true },
    args: { skip: t.arg.int(), take: t.arg.int() },
    resolve: (query, _root, args, ctx) => ctx.services.db.user.findMany({ ...query, ...paging(args), orderBy: { createdAt: 'asc' } }),
  }),
);

const userInput = z.object({
  email: z.string().trim().toLowerCase().email('must be a valid email address'),
  password: z.string().min(8, 'must be at least 8 characters').max(200),
  role: z.enum(['admin', 'viewer']),
});

const CreateUserInput = builder.inputType('CreateUserInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
    role: t.field({ type: RoleEnum, required: true }),
  }),
});

const UpdateUserInput = builder.inputType('UpdateUserInput', {
  fields: (t) => ({ password: t.string(), role: t.field({ type: RoleEnum }) }),
});

builder.mutationField('createUser', (t) =>
  t.prismaField({
    type: 'User',
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const data = validate(userInput, input);
      try {
        const created = await ctx.services.db.user.create({
          ...query,
          data: { email: data.email, role: data.role, passwordHash: await hashPassword(data.password) },
        });
        ctx.services.audit.describe({
          entity: 'user',
          entityId: created.id,
          entityName: data.email,
          action: 'create',
          after: { ...data, password: undefined },
        });
        return created;
      } catch (error) {
        throw uniqueViolation(error, `A user with email ${data.email} already exists`) ?? error;
      }
    },
  }),
);

builder.mutationField('updateUser', (t) =>
  t.prismaField({
    type: 'User',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateUserInput, required: true }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      const data = validate(userInput.pick({ password: true, role: true }).partial(), {
        password: input.password ?? undefined,
        role: input.role ?? undefined,
      });
      const existing = await ctx.services.db.user.findUnique({ where: { id: String(id) } });
      if (!existing) throw notFound('User');
      const updated = await ctx.services.db.user.update({
        ...query,
        where: { id: existing.id },
        data: {
          ...(data.role ? { role: data.role } : {}),
          // A new password ends every session opened with the old one.
          ...(data.password ? { passwordHash: await hashPassword(data.password), tokenVersion: { increment: 1 } } : {}),
        },
      });
      if (data.password) await revokeSessions(ctx, existing.id);
      const after = await ctx.services.db.user.findUnique({ where: { id: existing.id } });
      ctx.services.audit.describe({ entity: 'user', entityId: existing.id, entityName: existing.email, action: 'update', before: existing, after });
      return updated;
    },
  }),
);

builder.mutationField('deleteUser', (t) =>
  t.boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      if (String(id) === ctx.user!.userId) throw new GraphQLError('You cannot delete your own account', { extensions: { code: 'BAD_USER_INPUT' } });
      const before = await ctx.services.db.user.findUnique({ where: { id: String(id) } });
      const { count } = await ctx.services.db.user.deleteMany({ where: { id: String(id) } });
      if (count === 0) throw notFound('User');
      ctx.services.audit.describe({ entity: 'user', entityId: String(id), entityName: before?.email, action: 'delete', before });
      // The row is gone, so its tokens already fail the per-operation check; its sockets close now.
      await revokeSessions(ctx, String(id));
      return true;
    },
  }),
);
