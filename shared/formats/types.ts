/** What a format reader finds in a document, before the shared finishing steps. */
export interface Extracted {
  /** May be empty: the normalizer then falls back to the first heading or the key's file name. */
  title: string;
  authors: string[];
  publishedAt: string | null;
  imageCredit: string | null;
  /** As written in the source; canonicalized by the normalizer. */
  url: string | null;
  tags: string[];
  /** A language the document declares (`lang`, front matter), or null. */
  language: string | null;
  paragraphs: string[];
}
