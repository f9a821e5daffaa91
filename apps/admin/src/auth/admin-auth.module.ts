import { Inject, Injectable, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AdminSession } from './admin-session.entity.js';
import { AdminUser } from './admin-user.entity.js';
import { AdminUserService } from './admin-user.service.js';
import { SsoProvisioningService } from './sso-provisioning.service.js';
import { TypeOrmSessionStore } from './typeorm-session.store.js';

const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** Deletes expired sessions at boot and hourly. */
@Injectable()
class SessionPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;

  constructor(@Inject(TypeOrmSessionStore) private readonly store: TypeOrmSessionStore) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.store.prune();
    this.timer = setInterval(() => void this.store.prune().catch(() => undefined), PRUNE_EVERY_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}

/** Admin users and their database-backed sessions. */
@Module({
  imports: [TypeOrmModule.forFeature([AdminUser, AdminSession])],
  providers: [
    AdminUserService,
    SsoProvisioningService,
    {
      provide: TypeOrmSessionStore,
      inject: [getRepositoryToken(AdminSession)],
      useFactory: (sessions: Repository<AdminSession>) => new TypeOrmSessionStore(sessions),
    },
    SessionPruner,
  ],
  exports: [AdminUserService, SsoProvisioningService, TypeOrmSessionStore],
})
export class AdminAuthModule {}
