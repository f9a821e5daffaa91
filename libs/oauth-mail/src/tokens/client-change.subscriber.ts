import { Injectable } from '@nestjs/common';
import { DataSource, type EntitySubscriberInterface, type RemoveEvent, type UpdateEvent } from 'typeorm';
import { OAuthClient } from '../entities/oauth-client.entity.js';
import { ClientChangeFeed } from './client-change.feed.js';

/**
 * Announces edits and deletions of OAuth clients made through entity `save` and
 * `remove`: the services', and AdminJS's. Query-builder updates carry no row id
 * in their event; the library announces its own (TokenService) itself.
 */
@Injectable()
export class ClientChangeSubscriber implements EntitySubscriberInterface<OAuthClient> {
  constructor(
    dataSource: DataSource,
    private readonly feed: ClientChangeFeed,
  ) {
    // The host owns the connection, so the library joins its subscribers rather than declaring them.
    dataSource.subscribers.push(this);
  }

  listenTo() {
    return OAuthClient;
  }

  async afterUpdate(event: UpdateEvent<OAuthClient>): Promise<void> {
    const id = (event.entity as Partial<OAuthClient> | undefined)?.id ?? event.databaseEntity?.id;
    if (id) await this.feed.announce(id, event.queryRunner);
  }

  async afterRemove(event: RemoveEvent<OAuthClient>): Promise<void> {
    const id = (event.entityId as string | undefined) ?? event.databaseEntity?.id ?? event.entity?.id;
    if (id) await this.feed.announce(id, event.queryRunner);
  }
}
