from django.urls import path

from backend.accounts.scim import apis

urlpatterns = [
    path("Users", apis.UsersApi.as_view(), name="scim-users"),
    path("Users/<str:scim_id>", apis.UserApi.as_view(), name="scim-user"),
    path("ServiceProviderConfig", apis.ServiceProviderConfigApi.as_view(), name="scim-config"),
    path("ResourceTypes", apis.ResourceTypesApi.as_view(), name="scim-resource-types"),
    path("ResourceTypes/<str:type_id>", apis.ResourceTypesApi.as_view(), name="scim-resource-type"),
    path("Schemas", apis.SchemasApi.as_view(), name="scim-schemas"),
    path("Schemas/<str:schema_id>", apis.SchemasApi.as_view(), name="scim-schema"),
]
