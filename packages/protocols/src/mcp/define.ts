import type { Variables } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type {
  GetPromptResult,
  ListResourcesResult,
  ReadResourceResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '@stockpulse/core';
import { z } from 'zod';
import type { Principal, Scope } from '../auth/principal.js';

/** A zod object, or its raw shape (`{ symbol: z.string() }`). */
export type ObjectSchema = z.ZodObject | z.ZodRawShape;

/** The parsed value an {@link ObjectSchema} describes. */
export type Infer<S extends ObjectSchema> = S extends z.ZodType
  ? z.output<S>
  : S extends z.ZodRawShape
    ? z.output<z.ZodObject<S>>
    : never;

export function toObjectSchema(s: ObjectSchema): z.ZodObject {
  return s instanceof z.ZodType ? s : z.object(s);
}

/** What every tool, resource and prompt handler receives besides its arguments. */
export interface RequestContext {
  /** Who this call acts for: the principal of this call's own HTTP request (or the stdio user). */
  principal: Principal;
  /** Child logger bound to the server, tool and principal; carries the trace id. */
  logger: Logger;
  /** Aborted when the client cancels the request or the session closes. */
  signal: AbortSignal;
}
export type ToolContext = RequestContext;

/**
 * The MCP tool annotations, all four required: every StockPulse tool states whether it reads,
 * writes, destroys, is safe to retry, and reaches outside the mesh, so clients can gate it.
 */
export interface ToolHints {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolSpec<I extends ObjectSchema, O extends ObjectSchema> {
  /** Wire name, `snake_case` (`get_quote`). */
  name: string;
  /** Human title shown by clients. */
  title: string;
  /** Written for an LLM: what it does, when to use it, what it returns. */
  description: string;
  input: I;
  output: O;
  annotations: ToolHints;
  /** Scope the caller must hold; default `read`. */
  scope?: Scope;
  handler(args: Infer<I>, ctx: ToolContext): Promise<Infer<O>>;
}

export interface ToolDefinition<I extends ObjectSchema = ObjectSchema, O extends ObjectSchema = ObjectSchema>
  extends ToolSpec<I, O> {
  scope: Scope;
  inputSchema: z.ZodObject;
  outputSchema: z.ZodObject;
}

/** A typed tool: input and output types come from the zod schemas the client also sees as JSON Schema. */
export function defineTool<I extends ObjectSchema, O extends ObjectSchema>(
  spec: ToolSpec<I, O>,
): ToolDefinition<I, O> {
  return {
    ...spec,
    scope: spec.scope ?? 'read',
    inputSchema: toObjectSchema(spec.input),
    outputSchema: toObjectSchema(spec.output),
  };
}

interface ResourceMeta {
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  /** Scope the caller must hold; default `read`. */
  scope?: Scope;
}

/** Called whenever a watched resource may have changed; the client is then told to read it again. */
export type ResourceChanged = () => void;

export interface ResourceDefinition extends ResourceMeta {
  /** Fixed URI, e.g. `stockpulse://universe`. */
  uri: string;
  read(uri: URL, ctx: RequestContext): Promise<ReadResourceResult>;
  /**
   * Makes the resource subscribable (`resources/subscribe`): start watching it for the caller, call
   * `changed` on every change, and return what stops watching. Throw an `AppError` to refuse.
   */
  watch?(uri: URL, ctx: RequestContext, changed: ResourceChanged): Promise<() => void>;
}

export interface ResourceTemplateDefinition extends ResourceMeta {
  /** RFC 6570 template, e.g. `stockpulse://portfolios/{portfolioId}`. */
  uriTemplate: string;
  /** Lists the concrete resources the template currently matches (for `resources/list`). */
  list?(ctx: RequestContext): Promise<ListResourcesResult>;
  /** Completions per template variable. */
  complete?: Record<string, (value: string) => string[] | Promise<string[]>>;
  read(uri: URL, variables: Variables, ctx: RequestContext): Promise<ReadResourceResult>;
  /** Makes the template's resources subscribable; see {@link ResourceDefinition.watch}. */
  watch?(uri: URL, variables: Variables, ctx: RequestContext, changed: ResourceChanged): Promise<() => void>;
}

export interface PromptSpec<A extends z.ZodRawShape> {
  name: string;
  title?: string;
  description?: string;
  args?: A;
  scope?: Scope;
  get(args: z.output<z.ZodObject<A>>, ctx: RequestContext): Promise<GetPromptResult>;
}

export interface PromptDefinition<A extends z.ZodRawShape = z.ZodRawShape> extends PromptSpec<A> {
  scope: Scope;
}

export function defineResource(spec: ResourceDefinition): ResourceDefinition {
  return spec;
}

export function defineResourceTemplate(spec: ResourceTemplateDefinition): ResourceTemplateDefinition {
  return spec;
}

export function definePrompt<A extends z.ZodRawShape>(spec: PromptSpec<A>): PromptDefinition<A> {
  return { ...spec, scope: spec.scope ?? 'read' };
}

/** A resource read result holding one JSON document. */
export function jsonContents(uri: URL | string, value: unknown): ReadResourceResult {
  const href = typeof uri === 'string' ? uri : uri.href;
  return { contents: [{ uri: href, mimeType: 'application/json', text: JSON.stringify(value) }] };
}

export interface McpServerSpec {
  name: string;
  version: string;
  title?: string;
  /** Server-level guidance for the model (sent in `initialize`). */
  instructions?: string;
  tools: readonly ToolDefinition[];
  resources?: readonly ResourceDefinition[];
  resourceTemplates?: readonly ResourceTemplateDefinition[];
  prompts?: readonly PromptDefinition[];
}
