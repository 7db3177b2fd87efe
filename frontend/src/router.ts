// Hash routes (`#/runs`, `#/backtest/<run id>`): the server needs no fallback route and a
// page's address can be bookmarked.
import { useEffect, useState } from "preact/hooks";

/** The page and its arguments from `location.hash`. */
export interface Route {
  page: string;
  args: string[];
  query: URLSearchParams;
}

/** Parse `#/page/arg1/arg2?x=1`. */
export function parseHash(hash: string): Route {
  const [path = "", search = ""] = hash.replace(/^#\/?/, "").split("?");
  const [page = "", ...args] = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { page: page || "overview", args, query: new URLSearchParams(search) };
}

/** The address of a page. */
export function href(page: string, ...args: string[]): string {
  return `#/${[page, ...args.map(encodeURIComponent)].join("/")}`;
}

/** The current route, updated on navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}
