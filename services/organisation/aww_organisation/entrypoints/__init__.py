"""The service's entrypoints, one mixin per part (organisations, members, branches, tools, AML
officer, identity events, authorization), assembled in aww_organisation.service."""
