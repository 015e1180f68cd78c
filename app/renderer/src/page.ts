/** The app's pages, also the `#page` part of its URL. */
export type Page =
  'status' | 'waiting' | 'idp' | 'connections' | 'tools' | 'policy' | 'clients' | 'inspector';
