app_name = "goods"

urlpatterns = []
