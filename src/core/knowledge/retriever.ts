import type { SearchOptions, SearchResult } from "./search-index.js";

/**
 * Finds the passages that answer a question. Asynchronous so an implementation may yield to the
 * event loop or live elsewhere (a vector store, a remote index); BM25 over the knowledge base
 * (SearchIndex) is today's, and the project-name matcher it uses is its own module (project-matcher.ts).
 */
export interface Retriever {
  retrieve(question: string, options?: SearchOptions): Promise<SearchResult>;
}
