"""URL patterns of people: 我的职位 and employees.

Composed under the one ``positions`` namespace by ``jobdesc/urls.py``, so every URL keeps
its name (``positions:position-sheet`` …)."""

from django.urls import path

from people.views import accounts, people

urlpatterns = [
    path("me/", accounts.my_position, name="my-position"),
    path("employees/", people.employee_list, name="employee-list"),
    path("employees/<int:pk>/", people.employee_detail, name="employee-detail"),
    path("employees/<int:pk>/transfer/", people.employee_transfer, name="employee-transfer"),
    path("employees/<int:pk>/leave/", people.employee_leave, name="employee-leave"),
]
