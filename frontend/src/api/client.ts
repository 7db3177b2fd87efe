// The one client every page uses: paths, parameters and results come from the generated path
// map (ApiPaths), so tsc checks each call against the API's wire types.
import type { ApiMethod, ApiPath, ApiPaths, ApiResponse } from "./types.generated";

/** Paths that answer `method`. */
export type PathWith<M extends string> = {
  [P in ApiPath]: M extends ApiMethod<P> ? P : never;
}[ApiPath];

type Operation<P extends ApiPath, M extends string> = M extends keyof ApiPaths[P]
  ? ApiPaths[P][M]
  : never;

/** The `path` and `query` parameters of an operation. */
export type Params<P extends ApiPath, M extends string> = Operation<P, M> extends {
  path: infer Path;
  query: infer Query;
}
  ? { path: Path; query: Query }
  : never;

/** The payload of an operation's success envelope. */
export type Data<P extends ApiPath, M extends string> = Operation<P, M> extends {
  response: ApiResponse<infer T>;
}
  ? T
  : never;

/** The request body of an operation. */
export type Body<P extends ApiPath, M extends string> = Operation<P, M> extends { body: infer B }
  ? B
  : never;

/** A failed request: the server's one-line message, its stable code and the HTTP status. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** `path` with its `{name}` segments filled in and the defined query values appended. */
export function buildUrl(path: string, params: { path: unknown; query: unknown }): string {
  const values = params.path as Record<string, unknown>;
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(String(values[name])),
  );
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params.query as Record<string, unknown>)) {
    if (value !== undefined && value !== null) query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${filled}?${text}` : filled;
}

async function unwrap<T>(response: Response): Promise<T> {
  let envelope: ApiResponse<T> | undefined;
  try {
    envelope = (await response.json()) as ApiResponse<T>;
  } catch {
    throw new ApiError(`${response.status} ${response.statusText}`, response.status, "http");
  }
  if (!response.ok || !envelope.ok || envelope.data === null) {
    const error = envelope.error;
    throw new ApiError(
      error?.message ?? `${response.status} ${response.statusText}`,
      response.status,
      error?.code ?? "http",
    );
  }
  return envelope.data;
}

/** GET an API path; resolves to the envelope's data, rejects with an ApiError. */
export async function apiGet<P extends PathWith<"get">>(
  path: P,
  params: Params<P, "get">,
  signal?: AbortSignal,
): Promise<Data<P, "get">> {
  const init: RequestInit = { headers: { Accept: "application/json" } };
  if (signal) init.signal = signal;
  return unwrap<Data<P, "get">>(await fetch(buildUrl(path, params), init));
}

/** POST a body to an API path with the API key header. */
export async function apiPost<P extends PathWith<"post">>(
  path: P,
  params: Params<P, "post">,
  body: Body<P, "post">,
  apiKey: string,
): Promise<Data<P, "post">> {
  const response = await fetch(buildUrl(path, params), {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-API-Key": apiKey },
    body: JSON.stringify(body),
  });
  return unwrap<Data<P, "post">>(response);
}
