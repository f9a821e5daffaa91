import { LDAP_DIRECTORY_EDITABLE_FIELDS, LdapDirectory, DEFAULT_SEARCH_FILTER, testedFields, type LdapDirectoryService } from '@app/oauth-mail';
import type { ResourceWithOptions } from 'adminjs';
import { connectionTestAction } from '../connection-test.action.js';
import type { DataSource } from 'typeorm';
import { Components } from '../component-loader.js';
import { OAUTH_MAIL_NAVIGATION } from '../navigation.js';
import { deleteGuard, saveHook } from '../save-hook.js';
import { SecureTypeormResource } from '../secure-typeorm.resource.js';
import { formatMapping } from '../value-format.js';

/** The LDAP Directories grid and form (Related LDAPs of User-type clients); the bind password is write-only. */
export function ldapDirectoryResource(directories: LdapDirectoryService, dataSource: DataSource): ResourceWithOptions {
  const repo = dataSource.getRepository(LdapDirectory);
  const resource = new SecureTypeormResource(LdapDirectory, (row) => ({
    bindPasswordStatus: row.bindPasswordEncrypted ? 'set' : 'not set',
    attributeMap: formatMapping(row.attributeMap),
  }));
  const save = saveHook({
    editable: LDAP_DIRECTORY_EDITABLE_FIELDS,
    load: (id) => repo.findOneBy({ id }),
    prepare: (input, existing, id) => directories.prepare(input, existing, id),
  });
  return {
    resource,
    options: {
      id: 'LdapDirectory',
      navigation: OAUTH_MAIL_NAVIGATION,
      listProperties: ['name', 'url', 'baseDn', 'lastTestStatus', 'lastTestAt'],
      filterProperties: ['name', 'url', 'lastTestStatus'],
      showProperties: ['name', 'url', 'startTls', 'bindDn', 'bindPasswordStatus', 'baseDn', 'searchFilter', 'attributeMap', 'lastTestAt', 'lastTestStatus', 'lastTestMessage', 'createdAt', 'updatedAt'],
      editProperties: ['name', 'url', 'startTls', 'bindDn', 'bindPassword', 'baseDn', 'searchFilter', 'attributeMap'],
      sort: { sortBy: 'name', direction: 'asc' },
      properties: {
        id: { isVisible: false },
        name: { description: 'OAuth clients of type User list this name in Related LDAPs.' },
        url: { description: 'ldaps://ldap.example.com (port 636), or ldap://ldap.example.com:389 with StartTLS.' },
        startTls: { description: 'With ldap://: encrypt the connection before the bind password is sent.' },
        bindDn: { description: 'The service account that searches, such as cn=reader,ou=services,dc=example,dc=com. Empty: anonymous.' },
        bindPassword: {
          type: 'password',
          isVisible: { list: false, show: false, filter: false, edit: true },
          description: 'Leave empty to keep the stored password.',
        },
        bindPasswordStatus: { type: 'string', isVisible: { list: false, show: true, filter: false, edit: false } },
        baseDn: { description: 'Where people are searched, such as ou=people,dc=example,dc=com.' },
        searchFilter: { description: `{username} stands for the Username Attribute of the person signing in. Empty: ${DEFAULT_SEARCH_FILTER}.` },
        attributeMap: {
          type: 'textarea',
          description: 'One "field = attribute" per line: name = cn, email = mail, role = title (admin or viewer). attribute[] takes every value as a list for User Create Expression, such as groups = memberOf[].',
        },
        lastTestMessage: { type: 'textarea', isVisible: { list: false, show: true, filter: false, edit: false } },
        lastTestStatus: { components: { list: Components.StatusBadge, show: Components.StatusBadge } },
      },
      actions: {
        new: { before: [save], component: Components.NewWithDefaults, custom: { defaults: { searchFilter: DEFAULT_SEARCH_FILTER } } },
        edit: { before: [save] },
        delete: { before: [deleteGuard((id) => directories.deletionRefusal(id))] },
        bulkDelete: { isAccessible: false, isVisible: false },
        testConnection: connectionTestAction((id) => directories.test(id), testedFields),
      },
    },
  };
}
