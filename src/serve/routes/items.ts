/** /v1/items: create, update (PUT/PATCH merge), batch upsert, read, list, delete. */
import type { FastifyPluginAsync } from 'fastify';
import type { ItemRecord } from '../../store/types.js';
import { HttpError, rebaseError } from '../errors.js';
import { errors, IdParams, ListQuery, READ_ERRORS, WRITE_ERRORS, type IdParamsT, type ListQueryT } from '../schemas/common.js';
import { Deleted, ItemBatch, ItemOut, ItemPage, ItemPatch, UpsertResultItems, type ItemBatchT, type ItemPatchT } from '../schemas/catalog.js';

export const itemsRoutes: FastifyPluginAsync = async (app) => {
  const { store, engine } = app;
  const tags = ['items'];

  async function upsertOne(id: string, body: ItemPatchT | null): Promise<ItemRecord> {
    try {
      const [rec] = await store.upsertItems([{ id, ...(body ?? {}) }]);
      engine.onCatalogChange('item', [id]);
      return rec;
    } catch (e) {
      throw rebaseError(e, 'items[0]', 'body');
    }
  }

  app.post<{ Body: ItemBatchT }>(
    '/v1/items',
    { schema: { tags, summary: 'batch upsert of items (one transaction)', body: ItemBatch, response: { 200: UpsertResultItems, ...errors(...WRITE_ERRORS) } } },
    async (req) => {
      const items = await store.upsertItems(req.body.items);
      engine.onCatalogChange('item', items.map((u) => u.id));
      return { items };
    },
  );
  for (const method of ['PUT', 'PATCH'] as const) {
    app.route<{ Params: IdParamsT; Body: ItemPatchT }>({
      method,
      url: '/v1/items/:id',
      schema: {
        tags,
        summary: method === 'PUT' ? 'create or update an item (fields left out keep their value)' : 'update some fields of an item (e.g. hidden, outOfStock)',
        params: IdParams,
        body: ItemPatch,
        response: { 200: ItemOut, ...errors(...WRITE_ERRORS) },
      },
      handler: async (req) => upsertOne(req.params.id, req.body),
    });
  }
  app.get<{ Params: IdParamsT }>(
    '/v1/items/:id',
    { schema: { tags, summary: 'an item', params: IdParams, response: { 200: ItemOut, ...errors(...READ_ERRORS) } } },
    async (req) => {
      const it = await store.getItem(req.params.id);
      if (!it) throw new HttpError('E_UNKNOWN_ID', `params/id: no item "${req.params.id}"`, 'params/id');
      return it;
    },
  );
  app.get<{ Querystring: ListQueryT }>(
    '/v1/items',
    { schema: { tags, summary: 'items in id order (keyset paging with after/next)', querystring: ListQuery, response: { 200: ItemPage, ...errors(...READ_ERRORS) } } },
    async (req) => {
      const q = req.query;
      const page = await store.listItems({ after: q.after, limit: q.limit, includeDeleted: q.includeDeleted, updatedSince: q.updatedSince });
      return { items: page.rows, next: page.next };
    },
  );
  app.delete<{ Params: IdParamsT }>(
    '/v1/items/:id',
    { schema: { tags, summary: 'delete an item (soft: never recommended again; the id is kept)', params: IdParams, response: { 200: Deleted, ...errors(...WRITE_ERRORS) } } },
    async (req) => {
      const ok = await store.deleteItem(req.params.id);
      if (!ok) throw new HttpError('E_UNKNOWN_ID', `params/id: no item "${req.params.id}"`, 'params/id');
      engine.onCatalogChange('item', [req.params.id]);
      return { id: req.params.id, deleted: true };
    },
  );
};
